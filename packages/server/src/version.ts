/** The API's version, in the OpenAPI document and in render ETags. */
export const API_VERSION = '0.1.0';
