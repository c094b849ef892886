extension PostgresStorage {
    /// The schema step of cluster-wide deploys (`PostgresStorage+BuildCatalog`):
    /// every published build with its bytes, in publication order, and each
    /// agent's builds in activation order. A step of its own, appended to
    /// `migrations`; its version is the next free one when it lands.
    static let buildCatalogMigration = Migration(version: 3, name: "plugin-builds-and-activations", statements: [
        // One counter for publications and rollbacks: a restored build goes after every build published before.
        "CREATE SEQUENCE plugin_build_positions",
        """
        CREATE TABLE plugin_builds (
            sha256 text PRIMARY KEY,
            file_name text NOT NULL,
            bytes bytea NOT NULL,
            position bigint NOT NULL,
            published_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE plugin_activations (
            agent text NOT NULL,
            sha256 text NOT NULL REFERENCES plugin_builds (sha256),
            position bigint NOT NULL,
            activated_at timestamptz NOT NULL,
            PRIMARY KEY (agent, sha256)
        )
        """,
    ])
}
