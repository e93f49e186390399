/** The uploaded file's name, or what a batch sent as a JSON list of rows is called. */
export const sourceName = (source: string) => (source === 'json' ? 'Rows sent as JSON' : source);
