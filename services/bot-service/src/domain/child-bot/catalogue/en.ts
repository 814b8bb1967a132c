/** A child bot's own words in English (Fluent FTL; the ids and arguments are spec.ts's). */
export const EN = `
built-in-greeting = Hello, { $name }! 👋
`;
