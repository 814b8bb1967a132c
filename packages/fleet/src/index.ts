export { DEPLOYABLES, FLEET_ORDER, isDeployable, type Deployable } from './deployables.js';
export { botIdOfToken, deployableEnv, FleetSettingsError, type Env, type FleetNotifications, type FleetPaymentProviders, type FleetRouting, type FleetSecrets, type FleetSettings } from './env.js';
export { fleetAddresses, loopbackAddress, REPO_ROOT, startDeployable, startFleet, type FleetAddresses, type RunningDeployable, type RunningFleet, type StartDeployableOptions, type StartFleetOptions } from './start.js';
export { SchemaRole, SchemaRoleError } from './schema-role.js';
export { counterTotal, fleetCounterTotal, type LabelMatch } from './counter.js';
