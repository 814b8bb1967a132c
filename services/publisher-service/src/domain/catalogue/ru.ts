/** The publisher context's messages in Russian (Fluent FTL; the ids and arguments are spec.ts's). */
export const RU = `
report-head = Пост #{ $number } опубликован в { $sent } из { $total } { $total ->
        [one] канала
       *[other] каналов
    }.
report-sent-line = ✓ { $channel }
report-failed-line = ✗ { $channel }: { $reason }
report-not-sent = не отправлено
report-more-failed = … и с ошибкой ещё: { $failed }.
report-more-sent = … и успешно: { $sent }.
report-more-failed-sent = … и с ошибкой ещё: { $failed }, успешно: { $sent }.
`;
