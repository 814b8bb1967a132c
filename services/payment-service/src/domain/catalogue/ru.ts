/** The payments context's words in Russian (Fluent FTL; the ids and arguments are spec.ts's). */
export const RU = `
plan-name = { $kind ->
        [bots] Больше ботов
        [stories] Истории
       *[posting] Публикации в каналах
    }, { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    }
`;
