declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: Array<{ message?: string; path?: string; [key: string]: unknown }>;
  }
  function aslValidator(definition: unknown, options?: Record<string, unknown>): AslValidationResult;
  export default aslValidator;
}
