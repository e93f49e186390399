/** The inventory pages (one chunk, loaded on first visit); the dashboard is its own chunk. */
export { InventoryLayout } from './InventoryLayout.js';
export { ItemsPage } from './ItemsPage.js';
export { ItemPage } from './ItemPage.js';
export { GeneratePage } from './GeneratePage.js';
export { LotsPage } from './LotsPage.js';
export { TypesPage } from './TypesPage.js';
