package io.tumbler.client.recipes;

import static io.tumbler.client.recipes.RecipeCells.DEADLINE;
import static io.tumbler.client.recipes.RecipeCells.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group membership against a real cell: join, leave, close, crash, a deleted member file. */
class GroupMembershipIT {

  @TempDir static Path dir;
  private static EmbeddedCell cell;

  @BeforeAll
  static void startCell() throws Exception {
    cell = RecipeCells.start(dir.resolve("shared"));
  }

  @AfterAll
  static void stopCell() {
    if (cell != null) {
      cell.close();
    }
  }

  @Test
  void watchersSeeMembersJoinLeaveEndTheirSessionAndDie() {
    String group = "/ls/local/svc-a-members";
    List<SortedMap<String, String>> told = new CopyOnWriteArrayList<>();
    try (TumblerClient observer = client(cell);
        GroupMembership watch = GroupMembership.watch(observer, group, told::add)) {
      assertThat(told).containsExactly(java.util.Collections.emptySortedMap());
      assertThat(watch.self()).isEmpty();

      TumblerClient a = client(cell);
      TumblerClient b = client(cell);
      TumblerClient c = client(cell);
      GroupMembership ma = GroupMembership.join(a, group, "a:1", m -> {});
      GroupMembership mb = GroupMembership.join(b, group, "b:2", m -> {});
      GroupMembership.join(c, group, "c:3", m -> {});
      await()
          .atMost(DEADLINE)
          .until(() -> List.copyOf(watch.members().values()).equals(List.of("a:1", "b:2", "c:3")));
      assertThat(watch.members()).containsEntry(ma.self().orElseThrow(), "a:1");
      await().atMost(DEADLINE).until(() -> mb.members().size() == 3);

      ma.leave(); // gone at once, though a stays connected
      await()
          .atMost(DEADLINE)
          .until(() -> List.copyOf(watch.members().values()).equals(List.of("b:2", "c:3")));
      assertThat(ma.self()).isEmpty();

      b.close(); // the session ends: the cell deletes its ephemeral files
      await()
          .atMost(DEADLINE)
          .until(() -> List.copyOf(watch.members().values()).equals(List.of("c:3")));

      CrashedClient.crash(c); // no goodbye: gone once its lease runs out at the master
      await().atMost(DEADLINE).until(() -> watch.members().isEmpty());
      ma.close();
      a.close();
    }
  }

  @Test
  void aMemberWhoseFileIsDeletedJoinsAgainAndDataChangesAreSeen() {
    String group = "/ls/local/svc-b-members";
    try (TumblerClient a = client(cell);
        TumblerClient admin = client(cell);
        GroupMembership member = GroupMembership.join(a, group, "a:1", m -> {});
        GroupMembership watch = GroupMembership.watch(admin, group, m -> {})) {
      String first = member.self().orElseThrow();
      await().atMost(DEADLINE).until(() -> watch.members().containsKey(first));

      try (var h = admin.open(group + "/" + first, OpenOptions.readWrite())) {
        h.setContents("a:changed");
        await()
            .atMost(DEADLINE)
            .until(
                () ->
                    Optional.ofNullable(watch.members().get(first))
                        .equals(Optional.of("a:changed")));
        h.delete();
      }
      await()
          .atMost(DEADLINE)
          .until(() -> member.self().isPresent() && !member.self().get().equals(first));
      String second = member.self().orElseThrow();
      await()
          .atMost(DEADLINE)
          .until(() -> watch.members().keySet().equals(java.util.Set.of(second)));
      assertThat(watch.members()).containsEntry(second, "a:1");
    }
  }
}
