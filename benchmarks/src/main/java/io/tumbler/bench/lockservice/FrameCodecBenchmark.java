package io.tumbler.bench.lockservice;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Nanoseconds to encode, and to decode, typical frames: a write request, a stat, a KeepAlive. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark {

  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
  private ByteBuf out;
  private Frame setContents;
  private Frame statResponse;
  private Frame keepAlive;
  private ByteBuf setContentsBytes;
  private ByteBuf statResponseBytes;
  private ByteBuf keepAliveBytes;

  @Setup
  public void setUp() {
    out = Unpooled.directBuffer(64 * 1024);
    setContents =
        new Frame(
            1,
            new Message.SessionRequest(
                3, 42, 1000, 999, new Request.SetContents(7, ByteString.wrap(new byte[100]), 12)));
    Stat stat =
        new Stat(NodeKind.FILE, false, 123, 4, 5, 0, 0x1234567L, 100, AclNames.all("admin"));
    statResponse = new Frame(2, new Message.Response(new Result.StatResult(stat)));
    List<Message.NumberedEvent> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      events.add(
          new Message.NumberedEvent(
              1000 + i, 7, new Event.ContentsModified("/ls/local/config/service-" + i, i)));
    }
    keepAlive =
        new Frame(
            3,
            new Message.KeepAliveResponse(
                3,
                12_000,
                java.util.Set.of(),
                events,
                List.of(new Message.Invalidation(9, "/ls/local/config/x"))));
    setContentsBytes = encoded(setContents);
    statResponseBytes = encoded(statResponse);
    keepAliveBytes = encoded(keepAlive);
  }

  private ByteBuf encoded(Frame frame) {
    ByteBuf buf = Unpooled.directBuffer();
    codec.encode(frame, buf);
    return buf;
  }

  @TearDown
  public void tearDown() {
    out.release();
    setContentsBytes.release();
    statResponseBytes.release();
    keepAliveBytes.release();
  }

  private int encode(Frame frame) {
    out.clear();
    codec.encode(frame, out);
    return out.writerIndex();
  }

  private Frame decode(ByteBuf bytes) {
    return codec.decode(bytes.duplicate());
  }

  @Benchmark
  public int encodeSetContents100Bytes() {
    return encode(setContents);
  }

  @Benchmark
  public Frame decodeSetContents100Bytes() {
    return decode(setContentsBytes);
  }

  @Benchmark
  public int encodeStatResponse() {
    return encode(statResponse);
  }

  @Benchmark
  public Frame decodeStatResponse() {
    return decode(statResponseBytes);
  }

  @Benchmark
  public int encodeKeepAliveWith10Events() {
    return encode(keepAlive);
  }

  @Benchmark
  public Frame decodeKeepAliveWith10Events() {
    return decode(keepAliveBytes);
  }
}
