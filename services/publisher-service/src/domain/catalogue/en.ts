/** The publisher context's messages in English (Fluent FTL; the ids and arguments are spec.ts's). */
export const EN = `
report-head = Post #{ $number } published in { $sent } of { $total } channels.
report-sent-line = ✓ { $channel }
report-failed-line = ✗ { $channel }: { $reason }
report-not-sent = not sent
report-more-failed = … and { $failed } more failed.
report-more-sent = … and { $sent } sent.
report-more-failed-sent = … and { $failed } more failed, { $sent } sent.
`;
