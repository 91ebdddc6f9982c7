// Starts the vendored Swagger UI on /api/v1/docs with the settings the page carries.
(function () {
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrfToken = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  if (csrfToken) {
    // "Try it out" in a logged-in browser writes through the session, which needs the token.
    config.requestInterceptor = (request) => {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
