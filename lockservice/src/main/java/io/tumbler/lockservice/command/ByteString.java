package io.tumbler.lockservice.command;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.io.BaseEncoding;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Immutable bytes with value equality, so that records holding file contents or sequencers compare
 * by content.
 */
public final class ByteString {

  public static final ByteString EMPTY = new ByteString(new byte[0]);

  private final byte[] bytes;

  private ByteString(byte[] bytes) {
    this.bytes = bytes;
  }

  public static ByteString copyOf(byte[] bytes) {
    checkArgument(bytes != null, "bytes is null");
    return bytes.length == 0 ? EMPTY : new ByteString(bytes.clone());
  }

  /** Takes ownership of {@code bytes}; the caller must not change them afterwards. */
  public static ByteString wrap(byte[] bytes) {
    checkArgument(bytes != null, "bytes is null");
    return new ByteString(bytes);
  }

  public static ByteString utf8(String s) {
    return wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  public int size() {
    return bytes.length;
  }

  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The bytes without a copy; callers must not change them. */
  public byte[] unsafeArray() {
    return bytes;
  }

  public String toUtf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteString other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return bytes.length <= 32
        ? "0x" + BaseEncoding.base16().lowerCase().encode(bytes)
        : "<" + bytes.length + " bytes>";
  }
}
