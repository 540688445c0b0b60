import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The server serves dist/ on its own port; `npm run dev -w @hubbub/web` proxies to it.
export default defineConfig({
  plugins: [
    react(),
    tailwindcss(),
    // Installable: a manifest, icons, and a service worker that caches the app shell. API
    // calls and the WebSocket always go to the network: chat is live or it is nothing.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Hubbub',
        short_name: 'Hubbub',
        description: 'Real-time chat for live crowds',
        theme_color: '#020617',
        background_color: '#020617',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png}'],
        navigateFallback: '/index.html',
        // The events dashboard comes from the server, which inlines its first listing: a
        // cached shell would show it only after another round trip.
        navigateFallbackDenylist: [
          /^\/api\//,
          /^\/ws/,
          /^\/health/,
          /^\/ready/,
          /^\/events\/?(\?|$)/,
        ],
      },
    }),
  ],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
