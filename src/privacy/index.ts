/** Training under privacy constraints (notebook 09): the DP-SGD accountant, DP-SGD, federated averaging. */
export * from './accountant';
export * from './dp-sgd';
export * from './federated';
