/**
 * What makes swagger-ui usable on a phone (issue #17): its own stylesheet lays operations out for a
 * desktop and lets long paths, tables and code push the page sideways. Served by PayBridge as
 * /docs/static/theme/paybridge.css (no CDN).
 */
export const DOCS_THEME_CSS = `
html, body { max-width: 100%; overflow-x: hidden; }
.swagger-ui .wrapper { padding: 0 12px; box-sizing: border-box; max-width: 100%; }
.swagger-ui pre, .swagger-ui .microlight, .swagger-ui .highlight-code { white-space: pre-wrap; word-break: break-word; overflow-x: auto; max-width: 100%; }
.swagger-ui .opblock .opblock-summary-path, .swagger-ui .opblock .opblock-summary-path__deprecated { overflow-wrap: anywhere; }
.swagger-ui .responses-table, .swagger-ui table { max-width: 100%; }
.swagger-ui .model-box, .swagger-ui .model-example, .swagger-ui .table-container { max-width: 100%; overflow-x: auto; }

@media (max-width: 600px) {
  .swagger-ui .info { margin: 16px 0; }
  .swagger-ui .info .title { font-size: 26px; }
  .swagger-ui .scheme-container { padding: 12px 0; }
  .swagger-ui .opblock-tag { font-size: 18px; flex-wrap: wrap; }
  .swagger-ui .opblock-tag small { flex-basis: 100%; padding: 4px 0 0; }
  .swagger-ui .opblock .opblock-summary { flex-wrap: wrap; }
  /* The path takes what the method badge and the icons leave, and breaks only at a slash or underscore if it must. */
  .swagger-ui .opblock .opblock-summary-path { flex: 1 1 0; min-width: 0; max-width: none; font-size: 14px; word-break: normal; overflow-wrap: anywhere; }
  .swagger-ui .opblock .opblock-summary-description { flex-basis: 100%; padding: 4px 0 0; }
  .swagger-ui .opblock .opblock-section-header { flex-wrap: wrap; }
  .swagger-ui .parameters-col_description { width: auto; }
  .swagger-ui table.parameters tr, .swagger-ui table.responses-table tr { display: flex; flex-direction: column; }
  .swagger-ui table.parameters td, .swagger-ui table.responses-table td { display: block; width: auto; max-width: 100%; box-sizing: border-box; }
  .swagger-ui table thead { display: none; }
  .swagger-ui .parameters-col_name { width: auto; }
  .swagger-ui .parameter__name { word-break: break-all; }
  .swagger-ui input[type=text], .swagger-ui textarea, .swagger-ui select { max-width: 100%; box-sizing: border-box; min-width: 0; }
  .swagger-ui .btn.execute, .swagger-ui .btn-group .btn { min-height: 44px; }
  .swagger-ui .response-col_description__inner div.markdown, .swagger-ui .renderedMarkdown { word-break: break-word; }
}
`;

/**
 * swagger-ui's page has no viewport meta element, so a phone would lay it out 980 px wide and
 * shrink it; added before the page is drawn.
 */
export const DOCS_VIEWPORT_JS = `(function () {
  if (document.querySelector('meta[name="viewport"]')) return;
  var meta = document.createElement('meta');
  meta.name = 'viewport';
  meta.content = 'width=device-width, initial-scale=1';
  document.head.appendChild(meta);
})();
`;
