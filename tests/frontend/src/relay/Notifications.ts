import { graphql } from 'relay-runtime';

/** The notification bell. */
export const NotificationsQueryNode = graphql`
  query NotificationsQuery {
    viewer {
      id
      unreadNotificationCount
      notifications(first: 10) {
        nodes {
          id
          title
        }
      }
    }
  }
`;
