/** The payments context's words in English (Fluent FTL; the ids and arguments are spec.ts's). The launch plans' stored titles read the same. */
export const EN = `
plan-name = { $kind ->
        [bots] More bots
        [stories] Stories
       *[posting] Channel posting
    }, { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
`;
