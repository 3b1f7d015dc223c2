import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../api/schema.graphql',
  documents: ['src/operations/**/*.graphql'],
  overwrite: true,
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript-operations'],
      config: {
        // Every custom scalar must be mapped: an unmapped one is an error, not `any`.
        strictScalars: true,
        scalars: {
          Date: 'string',
          DateTime: 'string',
          Upload: 'File',
        },
        enumsAsTypes: true,
        futureProofEnums: true,
        // Nullable fields are `T | null`, never optional: the server always sends the key.
        avoidOptionals: true,
        nonOptionalTypename: true,
        immutableTypes: true,
        useTypeImports: true,
        // `CaseloadQuery`, not `CaseloadQueryQuery`.
        dedupeOperationSuffix: true,
      },
    },
  },
};

export default config;
