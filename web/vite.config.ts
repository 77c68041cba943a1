import { defineConfig } from 'vite';

// The dashboard is served as static files by `gpsi serve --web web/dist` (docs/dashboard.md):
// relative asset paths so it also works behind a proxy under a sub-path. In development,
// `npm run dev` (and `npm run preview`) proxy /api to a running server (GPSI_API, default http://127.0.0.1:8090).
const proxy = { '/api': process.env.GPSI_API ?? 'http://127.0.0.1:8090' };

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 900,
  },
  server: { proxy },
  preview: { proxy },
});
