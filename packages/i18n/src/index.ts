export { LOCALES, chooseLocale, localeFromTelegram, parseLocale, type Locale } from './locale.js';
export { Catalogue, FluentMoney, catalogueProblems, checkCatalogue, duration, formatMoney, formatUtcDate, messagesOf, money, utcDate, type ArgumentsOf, type CatalogueSources, type CatalogueSpec, type FormatTail, type MessageArgument } from './catalogue.js';
export { CatalogueError, MessageFormatError, MissingMessageError } from './errors.js';
export { TELEGRAM_MESSAGE_LIMIT, splitForTelegram, truncateForTelegram } from './split.js';
