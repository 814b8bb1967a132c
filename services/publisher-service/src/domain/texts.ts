/**
 * Every word the publisher context words for a person comes from its catalogue
 * (catalogue/en.ts, catalogue/ru.ts, checked against catalogue/spec.ts when this module loads).
 * The publisher service and the monolith run this same module, so both word a report alike.
 */
import { Catalogue } from '@nova/i18n';
import { EN } from './catalogue/en.js';
import { RU } from './catalogue/ru.js';
import { PUBLISHER_SPEC } from './catalogue/spec.js';

export const PUBLISHER_CATALOGUE = new Catalogue('publisher', PUBLISHER_SPEC, { en: EN, ru: RU });
