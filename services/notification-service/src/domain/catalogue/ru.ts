/** The notification context's messages in Russian (Fluent FTL; the ids and arguments are spec.ts's). */
export const RU = `
subscription-ending = ⏳ { $kind ->
        [bots] Подписка «больше ботов»
        [stories] Подписка «истории»
        [posting] Подписка «публикации»
       *[other] Ваша подписка
    } закончится { $days ->
        [1] завтра
        [one] через { $days } день
        [few] через { $days } дня
       *[many] через { $days } дней
    } ({ $at } UTC). Чтобы продлить её, отправьте /subscribe.
`;
