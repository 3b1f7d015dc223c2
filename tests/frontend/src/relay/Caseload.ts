import { graphql } from 'relay-runtime';

/** The caseload screen: the first page of the viewer's cases. */
export const CaseloadQueryNode = graphql`
  query CaseloadQuery($status: [CaseStatus!]) {
    ...Caseload_query @arguments(status: $status)
  }
`;

/** Paginated with usePaginationFragment: @connection + @refetchable (refetches through Query). */
export const CaseloadFragment = graphql`
  fragment Caseload_query on Query
  @refetchable(queryName: "CaseloadPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    status: { type: "[CaseStatus!]" }
  ) {
    cases(
      first: $count
      after: $cursor
      filter: { status: $status }
      orderBy: { field: UPDATED_AT, direction: DESC }
    ) @connection(key: "Caseload_cases", filters: ["filter", "orderBy"]) {
      totalCount
      edges {
        node {
          id
          ...CaseRow_case
        }
      }
    }
  }
`;
