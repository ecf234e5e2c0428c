package io.tumbler.bench.suite;

/**
 * One measurement to make on each system that has the workload.
 *
 * @param workload what the clients do
 * @param clients how many sessions do it (for {@link Workload#SESSIONS}, how many are held idle)
 */
record RunSpec(Workload workload, int clients) {

  @Override
  public String toString() {
    return workload.cliName() + " ×" + clients;
  }
}
