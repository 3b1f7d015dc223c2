// Mounts GraphiQL on this server's /graphql. No inline script: the page's
// Content-Security-Policy allows scripts from this server only.
(function () {
  var url = new URL("/graphql", window.location.origin);
  // Queries and mutations; subscriptions are served at /graphql/ws (graphql-transport-ws).
  var fetcher = GraphiQL.createFetcher({ url: url.toString() });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultHeaders: '{\n  "Authorization": "Bearer <token>"\n}',
    })
  );
})();
