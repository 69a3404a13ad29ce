// Start Swagger UI or ReDoc on the API documentation page (/docs, /redoc): the viewer and the
// OpenAPI document's URL come from the page's data attributes. No outside requests: the
// validator badge (which would call validator.swagger.io) is switched off.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var body = document.body, el = document.getElementById("api-docs");
  if (body.dataset.viewer === "swagger") {
    SwaggerUIBundle({ url: body.dataset.openapi, domNode: el, validatorUrl: null, deepLinking: true,
                      presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
                      layout: "BaseLayout" });
  } else {
    Redoc.init(body.dataset.openapi, { hideDownloadButton: false }, el, function () { el.dataset.ready = "1"; });
  }
});
