/** The engraving pages (one chunk, loaded on first visit). */
export { EngravingPage } from './EngravingPage.js';
export { JobPage } from './JobPage.js';
