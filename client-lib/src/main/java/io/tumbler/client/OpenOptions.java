package io.tumbler.client;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.Sets;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Permission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * How to open a node: the mode asked for, the events to hear, the lock-delay, and what to do if the
 * node is absent. Immutable; start from {@link #read()}, {@link #readWrite()} or {@link #lock()}
 * and add to it:
 *
 * <pre>{@code
 * OpenOptions.readWrite().createIfAbsent().ephemeral().listener(event -> ...)
 * }</pre>
 *
 * @param lockDelay how long the lock stays unavailable if this session dies holding it; null for
 *     the cell's default (60 s), at most 60 s
 * @param listener receives this handle's events; null for none
 */
public record OpenOptions(
    Set<Permission> mode,
    Set<EventKind> events,
    Duration lockDelay,
    CreateOptions create,
    HandleListener listener) {

  public OpenOptions {
    checkArgument(mode != null && events != null && create != null, "mode, events, create set");
    mode = Sets.immutableEnumSet(mode);
    events = Sets.immutableEnumSet(events);
  }

  /** Read contents, metadata and listings of an existing node. */
  public static OpenOptions read() {
    return new OpenOptions(
        EnumSet.of(Permission.READ),
        EnumSet.noneOf(EventKind.class),
        null,
        CreateOptions.NONE,
        null);
  }

  /** Read and write an existing node. */
  public static OpenOptions readWrite() {
    return read().withMode(Permission.READ, Permission.WRITE);
  }

  /** Read, write and lock an existing node (acquiring needs write permission too). */
  public static OpenOptions lock() {
    return read().withMode(Permission.READ, Permission.WRITE, Permission.LOCK);
  }

  public OpenOptions withMode(Permission first, Permission... more) {
    return new OpenOptions(EnumSet.of(first, more), events, lockDelay, create, listener);
  }

  /** Subscribes to these events (HANDLE_INVALID and the handle's own LOCK_ACQUIRED always come). */
  public OpenOptions events(EventKind first, EventKind... more) {
    return new OpenOptions(mode, EnumSet.of(first, more), lockDelay, create, listener);
  }

  /** Where the handle's events go. */
  public OpenOptions listener(HandleListener listener) {
    return new OpenOptions(mode, events, lockDelay, create, listener);
  }

  public OpenOptions lockDelay(Duration delay) {
    checkArgument(delay != null && !delay.isNegative(), "lock-delay must be zero or more");
    return new OpenOptions(mode, events, delay, create, listener);
  }

  /** Creates the node if it is absent (an empty file unless told otherwise). */
  public OpenOptions createIfAbsent() {
    return withCreate(true, create.mustCreate(), create.sequential(), create.ephemeral());
  }

  /** Creates the node, failing with {@code EXISTS} if it is already there. */
  public OpenOptions mustCreate() {
    return withCreate(true, true, create.sequential(), create.ephemeral());
  }

  /**
   * Creates a new node whose name is the given one followed by a cell-wide sequence number; the
   * handle's {@link Handle#path()} says which.
   */
  public OpenOptions sequential() {
    return withCreate(true, create.mustCreate(), true, create.ephemeral());
  }

  /** A node this call creates is deleted when no session has it open any more. */
  public OpenOptions ephemeral() {
    return withCreate(true, create.mustCreate(), create.sequential(), true);
  }

  /** A node this call creates is a directory. */
  public OpenOptions directory() {
    return withCreateOptions(
        new CreateOptions(
            true,
            create.mustCreate(),
            create.sequential(),
            create.ephemeral(),
            NodeKind.DIRECTORY,
            ByteString.EMPTY,
            create.acls()));
  }

  /** The contents of a file this call creates. */
  public OpenOptions initialContents(ByteString contents) {
    return withCreateOptions(
        new CreateOptions(
            true,
            create.mustCreate(),
            create.sequential(),
            create.ephemeral(),
            NodeKind.FILE,
            contents,
            create.acls()));
  }

  public OpenOptions initialContents(String utf8) {
    return initialContents(ByteString.utf8(utf8));
  }

  /** The ACL names of a node this call creates (otherwise inherited from the parent). */
  public OpenOptions acls(AclNames acls) {
    return withCreateOptions(
        new CreateOptions(
            true,
            create.mustCreate(),
            create.sequential(),
            create.ephemeral(),
            create.kind(),
            create.initialContents(),
            acls));
  }

  private OpenOptions withCreate(
      boolean ifAbsent, boolean mustCreate, boolean sequential, boolean ephemeral) {
    return withCreateOptions(
        new CreateOptions(
            ifAbsent,
            mustCreate,
            sequential,
            ephemeral,
            create.kind(),
            create.initialContents(),
            create.acls()));
  }

  private OpenOptions withCreateOptions(CreateOptions options) {
    return new OpenOptions(mode, events, lockDelay, options, listener);
  }
}
