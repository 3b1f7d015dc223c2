import { graphql } from 'relay-runtime';

/** The notification bell. */
export const NotificationsQueryNode = graphql`
  query NotificationsQuery {
    viewer {
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
