// The access page's browser code (GET /): a stub until the access page is built; scripts/build-web.ts bundles it.
export {};
