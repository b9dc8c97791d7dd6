/**
 * `/docs`: Swagger UI over `/openapi.json`, served from this API — the viewer's script and stylesheet come from the
 * `swagger-ui-dist` package, not a CDN, so the page works with no internet (the local stack promises that) and loads
 * nothing from another origin. In a Lambda bundle the two files sit beside the code (`docs-assets/`, copied there at
 * bundling); locally they are read from node_modules.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The files the page needs, by the name it asks for them. */
export const DOCS_ASSETS = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
} as const;
export type DocsAsset = keyof typeof DOCS_ASSETS;

const cache = new Map<DocsAsset, Buffer>();

/** Where an asset is: beside a Lambda bundle, else in swagger-ui-dist. */
function assetPath(name: DocsAsset): string {
  const bundled = fileURLToPath(new URL(`./docs-assets/${name}`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve(`swagger-ui-dist/${name}`);
}

/** An asset's bytes (read once per process). */
export function docsAsset(name: DocsAsset): Buffer {
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(assetPath(name));
    cache.set(name, body);
  }
  return body;
}

/** The page itself: every URL it loads is relative to this API. */
export function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
}

/** The viewer's start-up, as a file of its own (no inline script, so a strict Content-Security-Policy can apply). */
export const DOCS_INIT_JS = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`;
