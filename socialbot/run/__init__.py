"""Running the jobs: the named jobs, the guard around them, and their drivers (daemon, simulation)."""
