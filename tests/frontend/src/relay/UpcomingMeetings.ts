import { graphql } from 'relay-runtime';

/** The viewer's agenda: their next meetings. */
export const UpcomingMeetingsQueryNode = graphql`
  query UpcomingMeetingsQuery {
    viewer {
      id
      upcomingMeetings(first: 10) {
        edges {
          node {
            id
            startsAt
            case {
              reference
              child {
                name
              }
            }
          }
        }
      }
    }
  }
`;
