// The API reference page: Swagger UI over the service's own OpenAPI document. Everything comes from
// this origin; the Content-Security-Policy forbids inline scripts, so the document's URL is read from
// the mount point's data-spec attribute.
const mount = document.getElementById('swagger-ui')
window.SwaggerUIBundle({
  url: mount.dataset.spec,
  domNode: mount,
  // No badge that would call validator.swagger.io.
  validatorUrl: null,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  displayOperationId: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
})
