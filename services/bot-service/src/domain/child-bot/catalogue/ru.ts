/** A child bot's own words in Russian (Fluent FTL; the ids and arguments are spec.ts's). */
export const RU = `
built-in-greeting = Здравствуйте, { $name }! 👋
`;
