// colwasm's version, as `GET /` and `colwasm --version` report it: one constant for both runtime
// entries and the CLI (the Workers bundle cannot read package.json at run time). A test keeps it
// equal to package.json's "version".

/** The package version (package.json). */
export const VERSION = "0.1.0";
