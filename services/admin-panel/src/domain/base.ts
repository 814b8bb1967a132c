/** Where the panel's pages live, on both sides of the stage-8 canary. */
export const BASE = '/admin/';
