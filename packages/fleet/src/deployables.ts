/**
 * The deployables of the fleet, by the names Helm, the images and NovaMigrations use
 * (`nova.deployable` in each workspace's package.json), with the folder their build lives in and
 * their contract port (contracts.md).
 */
export const DEPLOYABLES = {
  'nova-monolith': { folder: 'monolith', port: 8099 },
  'webhook-gateway': { folder: 'webhook-gateway', port: 8100 },
  'user-service': { folder: 'user-service', port: 8101 },
  'bot-service': { folder: 'bot-service', port: 8102 },
  'publisher-service': { folder: 'publisher-service', port: 8103 },
  'payment-service': { folder: 'payment-service', port: 8104 },
  'notification-service': { folder: 'notification-service', port: 8105 },
  'admin-panel': { folder: 'admin-panel', port: 8106 },
} as const;

export type Deployable = keyof typeof DEPLOYABLES;

/**
 * Start order: the monolith first (it applies every schema's migrations and declares the streams
 * and routing buckets). Two are not in it, each started only when its settings are given: the
 * notification service (FleetSettings.notifications: until stage 6 the monolith's scheduler does
 * all its work) after the services it calls, and the admin panel (FleetSettings.admin), last.
 */
export const FLEET_ORDER: readonly Deployable[] = ['nova-monolith', 'webhook-gateway', 'user-service', 'bot-service', 'publisher-service', 'payment-service'];

export function isDeployable(name: string): name is Deployable {
  return Object.hasOwn(DEPLOYABLES, name);
}
