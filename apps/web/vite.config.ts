import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev`: hot reload here, API calls proxied to a running `qrforge serve` on :8000.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:8000', '/generate': 'http://localhost:8000' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // React and Mantine in their own files: they change less often than our code, so
        // browsers keep them cached across releases. Libraries only some pages use (the decoder,
        // the CSV parser) stay in those pages' lazy chunks.
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/,
            },
            { name: 'mantine', test: /node_modules[\\/]@(mantine|floating-ui)[\\/]/ },
          ],
        },
      },
    },
  },
});
