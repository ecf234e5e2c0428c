/**
 * Recipes built on {@link io.tumbler.client.TumblerClient}: the uses Chubby was made for, written
 * once so that applications do not each get the subtle parts wrong.
 *
 * <ul>
 *   <li>{@link io.tumbler.client.recipes.LeaderElection}: primary/backup on a lock file;
 *   <li>{@link io.tumbler.client.recipes.ConfigWatcher}: a cached configuration file and its
 *       changes;
 *   <li>{@link io.tumbler.client.recipes.GroupMembership}: who is alive, as ephemeral files in a
 *       directory;
 *   <li>{@link io.tumbler.client.recipes.FencedLock} and {@link
 *       io.tumbler.client.recipes.SequencerChecker}: a lock whose holder proves it to the resources
 *       it protects;
 *   <li>{@link io.tumbler.client.recipes.TaskQueue}: work handed out with sequential files and
 *       claimed by lock.
 * </ul>
 *
 * <p>Every recipe is thread-safe, keeps its state on one thread of its own (so its listener's calls
 * come in order, never two at once, and never on the client's event thread), and is {@link
 * AutoCloseable}: closing it closes its handles and stops its thread, never the client.
 */
package io.tumbler.client.recipes;
