/** The notification context's messages in English (Fluent FTL; the ids and arguments are spec.ts's). */
export const EN = `
subscription-ending = ⏳ Your { $kind ->
        [bots] bots subscription
        [stories] stories subscription
        [posting] posting subscription
       *[other] subscription
    } ends { $days ->
        [1] tomorrow
        [one] in { $days } day
       *[other] in { $days } days
    } ({ $at } UTC). Send /subscribe to renew it.
`;
