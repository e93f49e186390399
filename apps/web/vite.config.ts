import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev`: hot reload here, API calls proxied to a running `qrforge serve` on :8000.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:8000', '/generate': 'http://localhost:8000' },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
