import { graphql } from 'relay-runtime';

/** The case page. */
export const CasePageQueryNode = graphql`
  query CasePageQuery($id: ID!) {
    case(id: $id) {
      id
      reference
      ...CasePage_case
    }
  }
`;

/** Refetchable through Query.node(id:) (Relay's Node interface). */
export const CasePageFragment = graphql`
  fragment CasePage_case on Case @refetchable(queryName: "CasePageRefetchQuery") {
    reference
    status
    child {
      name
      cpr
      familyMembers {
        name
        email
      }
    }
    referral {
      reason
    }
    participants {
      name
      role
      sector
    }
    meetings {
      startsAt
      status
      invitees {
        participant {
          name
        }
      }
    }
    deadlines {
      ruleCode
      dueAt
      status
    }
    statusHistory {
      fromStatus
      toStatus
      reason
      changedAt
    }
    plan {
      id
    }
    viewerAccess {
      id
      childData
      canManage
    }
  }
`;
