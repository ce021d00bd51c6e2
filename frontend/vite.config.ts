import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The console is served by Django: the built assets land in ../static/console and the page shell
// (templates/console.html) reads .vite/manifest.json to inject the entry script and CSS.
export default defineConfig({
  plugins: [react()],
  base: "/static/console/",
  build: {
    outDir: "../static/console",
    emptyOutDir: true,
    manifest: true,
    rollupOptions: { input: "index.html" },
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev` against a local `manage.py runserver` on :8000.
    proxy: { "/api": "http://127.0.0.1:8000", "/login": "http://127.0.0.1:8000" },
  },
});
