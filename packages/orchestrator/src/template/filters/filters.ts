import type { FilterFn } from '../builtin-types.js';
import { COLLECTION_FILTERS } from './collection-filters.js';
import { DATE_FILTERS } from './date-filters.js';
import { JSON_FILTERS } from './json-filters.js';
import { NUMBER_FILTERS } from './number-filters.js';
import { STRING_FILTERS } from './string-filters.js';

/** Every filter by name. A Map, so no name can resolve to an `Object.prototype` member. */
export const FILTERS: ReadonlyMap<string, FilterFn> = new Map<string, FilterFn>([
  ...STRING_FILTERS,
  ...COLLECTION_FILTERS,
  ...NUMBER_FILTERS,
  ...JSON_FILTERS,
  ...DATE_FILTERS,
]);
