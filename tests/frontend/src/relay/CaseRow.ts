import { graphql } from 'relay-runtime';

/** One row of the caseload list. */
export const CaseRowFragment = graphql`
  fragment CaseRow_case on Case {
    reference
    status
    child {
      name
      dateOfBirth
    }
    participants {
      name
      role
      sector
    }
    viewerAccess {
      id
      childData
    }
  }
`;
