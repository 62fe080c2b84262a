"""Running the service: the daemon, health, alerts, logs and keys."""
