// Browsable API reference: Swagger UI over the generated OpenAPI document.
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
