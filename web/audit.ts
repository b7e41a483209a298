// The audit page's browser code (GET /audit); scripts/build-web.ts bundles it.
export {};
