// The dashboard is served by `citybrain run` from web/dist, so asset paths are relative and the
// API is the page's own origin. `npm run dev` proxies /api to a server on CITYBRAIN_API
// (default http://127.0.0.1:8080).
import {defineConfig} from 'vite';

const api = process.env.CITYBRAIN_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    proxy: {'/api': {target: api, ws: true}},
  },
});
