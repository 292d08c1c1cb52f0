package io.flinkpersist.persist.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdsTest {
    private static final String UUID_TEXT = "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c";

    @Test
    void prefixedIdsRoundTripThroughTheirPrintedForm() {
        UUID uuid = UUID.fromString(UUID_TEXT);
        assertThat(ShardId.parse("s" + UUID_TEXT)).isEqualTo(ShardId.of(uuid)).hasToString("s" + UUID_TEXT);
        assertThat(WriterId.parse("w" + UUID_TEXT)).isEqualTo(WriterId.of(uuid)).hasToString("w" + UUID_TEXT);
        assertThat(PartId.parse("p" + UUID_TEXT)).isEqualTo(PartId.of(uuid)).hasToString("p" + UUID_TEXT);
        assertThat(LeasedReaderId.parse("r" + UUID_TEXT)).isEqualTo(LeasedReaderId.of(uuid));
        assertThat(CriticalReaderId.parse("c" + UUID_TEXT)).isEqualTo(CriticalReaderId.of(uuid));
        assertThat(RollupId.parse("r" + UUID_TEXT)).isEqualTo(RollupId.of(uuid));
        assertThat(IdempotencyToken.parse("i" + UUID_TEXT)).isEqualTo(IdempotencyToken.of(uuid));
        for (int i = 0; i < 100; i++) {
            ShardId random = ShardId.random();
            assertThat(ShardId.parse(random.toString())).isEqualTo(random);
        }
    }

    @Test
    void idsOfDifferentKindsWithTheSameUuidAreNotEqual() {
        UUID uuid = UUID.fromString(UUID_TEXT);
        assertThat((Object) LeasedReaderId.of(uuid)).isNotEqualTo(RollupId.of(uuid));
    }

    @Test
    void aPartIdSequenceIsRecomputableAndDistinctPerSessionAndPosition() {
        UUID session = UUID.fromString(UUID_TEXT);
        PartIdSequence ids = new PartIdSequence(session, 3);
        PartId third = ids.next();

        assertThat(third).isEqualTo(PartIdSequence.at(session, 3));
        assertThat(ids.position()).isEqualTo(4);
        assertThat(PartId.parse(third.toString())).isEqualTo(third);
        assertThat(ids.next()).isNotEqualTo(third);
        assertThat(PartIdSequence.at(UUID.randomUUID(), 3)).isNotEqualTo(third);
        assertThatThrownBy(() -> new PartIdSequence(session, -1)).hasMessageContaining("was -1");
    }

    @Test
    void sentinelTokenIsSixteenBytesOfEleven() {
        assertThat(IdempotencyToken.SENTINEL.toString()).isEqualTo("i11111111-1111-1111-1111-111111111111");
    }

    static Stream<Arguments> malformedShardIds() {
        return Stream.of(
                Arguments.of("", "missing prefix"),
                Arguments.of(UUID_TEXT, "missing prefix"),
                Arguments.of("w" + UUID_TEXT, "missing prefix"),
                Arguments.of("s", "not a canonical uuid"),
                Arguments.of("s" + UUID_TEXT.toUpperCase(), "not a canonical uuid"),
                Arguments.of("s" + UUID_TEXT.replace("-", ""), "not a canonical uuid"),
                Arguments.of("s1-1-1-1-1", "not a canonical uuid"),
                Arguments.of("s" + UUID_TEXT + "/..", "not a canonical uuid"),
                Arguments.of("s" + UUID_TEXT + " ", "not a canonical uuid"),
                Arguments.of(" s" + UUID_TEXT, "missing prefix"),
                Arguments.of("s../" + UUID_TEXT, "not a canonical uuid"),
                Arguments.of("s" + UUID_TEXT + "\n", "not a canonical uuid"));
    }

    @ParameterizedTest
    @MethodSource("malformedShardIds")
    void malformedShardIdsQuoteTheInputAndTheExpectedShape(String input, String reason) {
        assertThatThrownBy(() -> ShardId.parse(input))
                .isInstanceOf(MalformedIdException.class)
                .hasMessageStartingWith("invalid ShardId \"")
                .hasMessageContaining("expected s<uuid>")
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((MalformedIdException) e).input()).isEqualTo(input));
    }

    @Test
    void whitespaceIsShownEscapedInTheMessage() {
        assertThatThrownBy(() -> ShardId.parse("s\t"))
                .hasMessageContaining("\"s\\u0009\"");
    }

    @Test
    void nullIsMalformedNotANullPointer() {
        assertThatThrownBy(() -> ShardId.parse(null)).isInstanceOf(MalformedIdException.class);
        assertThatThrownBy(() -> SeqNo.parse(null)).isInstanceOf(MalformedIdException.class);
        assertThatThrownBy(() -> WriterKey.parse(null)).isInstanceOf(MalformedIdException.class);
        assertThatThrownBy(() -> BlobKey.parseIds(null)).isInstanceOf(MalformedIdException.class);
    }

    @Test
    void seqNoRoundTripsAndRejectsEverythingElse() {
        assertThat(SeqNo.parse("v0")).isEqualTo(SeqNo.of(0)).hasToString("v0");
        assertThat(SeqNo.parse("v42").value()).isEqualTo(42);
        assertThat(SeqNo.parse("v" + Long.MAX_VALUE).value()).isEqualTo(Long.MAX_VALUE);
        assertThat(SeqNo.of(41).next()).isEqualTo(SeqNo.of(42));
        for (String bad : new String[] {"", "v", "42", "v-1", "v+1", "v01", "v1.0", "v 1", "V1", "v9223372036854775808"}) {
            assertThatThrownBy(() -> SeqNo.parse(bad))
                    .as(bad)
                    .isInstanceOf(MalformedIdException.class)
                    .hasMessageContaining("expected v<n>");
        }
        assertThatThrownBy(() -> SeqNo.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeqNo.of(Long.MAX_VALUE).next()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void writerKeyEncodesTheVersionInSortableDigits() {
        assertThat(WriterKey.forVersion(BuildVersion.parse("0.128.3"))).hasToString("n0012803");
        assertThat(WriterKey.forVersion(BuildVersion.parse("26.10.0"))).hasToString("n2601000");
        assertThat(WriterKey.forVersion(BuildVersion.parse("0.1.0-SNAPSHOT"))).hasToString("n0000100");
        assertThat(WriterKey.parse("n0012803").version()).isEqualTo(BuildVersion.parse("0.128.3"));
        assertThat(WriterKey.parse("w" + UUID_TEXT)).isEqualTo(WriterKey.forWriter(WriterId.parse("w" + UUID_TEXT)));
        assertThat(WriterKey.parse("w" + UUID_TEXT).version()).isNull();
        // Legacy writer-id keys sort below every version key; version keys sort like versions.
        assertThat(WriterKey.parse("w" + UUID_TEXT)).isLessThan(WriterKey.parse("n0000000"));
        assertThat(WriterKey.parse("n0012803")).isLessThan(WriterKey.parse("n0100000"));
        for (String bad : new String[] {"", "n", "n001280", "n00128031", "n00128a3", "x0012803", "w123", "n0012803/"}) {
            assertThatThrownBy(() -> WriterKey.parse(bad)).as(bad).isInstanceOf(MalformedIdException.class);
        }
        assertThatThrownBy(() -> WriterKey.forVersion(BuildVersion.parse("100.0.0")))
                .hasMessageContaining("major must be <= 99");
        assertThatThrownBy(() -> WriterKey.forVersion(BuildVersion.parse("1.1000.0")))
                .hasMessageContaining("minor <= 999");
    }

    @Test
    void currentWriterKeyComesFromTheProjectVersion() {
        BuildVersion current = BuildVersion.current();
        assertThat(current.toString()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(WriterKey.current().version()).isEqualTo(
                new BuildVersion(current.major(), current.minor(), current.patch(), ""));
    }

    @Test
    void buildVersionParsingIsStrict() {
        assertThat(BuildVersion.parse("1.2.3+build.5").toString()).isEqualTo("1.2.3+build.5");
        assertThat(BuildVersion.parse("1.2.3")).isLessThan(BuildVersion.parse("1.10.0"));
        for (String bad : new String[] {"", "1", "1.2", "1.2.x", "01.2.3", "1.2.3 ", "-1.2.3"}) {
            assertThatThrownBy(() -> BuildVersion.parse(bad)).as(bad).isInstanceOf(MalformedIdException.class);
        }
    }

    @Test
    void partialKeysAndBlobKeysRoundTrip() {
        ShardId shard = ShardId.random();
        PartialBatchKey part = new PartialBatchKey(WriterKey.parse("n0012803"), PartId.random());
        assertThat(PartialBatchKey.parse(part.toString())).isEqualTo(part);
        assertThat(BlobKey.parseIds(part.complete(shard)))
                .isEqualTo(new BlobKey.BatchPart(shard, part))
                .hasToString(shard + "/" + part);

        PartialBatchKey legacy = new PartialBatchKey(WriterKey.forWriter(WriterId.random()), PartId.random());
        assertThat(BlobKey.parseIds(legacy.complete(shard))).isEqualTo(new BlobKey.BatchPart(shard, legacy));

        PartialRollupKey rollup = new PartialRollupKey(SeqNo.of(128), RollupId.random());
        assertThat(PartialRollupKey.parse(rollup.toString())).isEqualTo(rollup);
        assertThat(BlobKey.parseIds(rollup.complete(shard))).isEqualTo(new BlobKey.Rollup(shard, rollup));

        assertThat(BlobKey.shardPrefix(shard)).isEqualTo(shard.toString());
        assertThat(BlobKey.writerPrefix(shard, part.writerKey())).isEqualTo(shard + "/n0012803");
        assertThat(BlobKey.rollupsPrefix(shard)).isEqualTo(shard + "/v");
    }

    static Stream<Arguments> malformedKeys() {
        String s = "s" + UUID_TEXT;
        String p = "p" + UUID_TEXT;
        String r = "r" + UUID_TEXT;
        return Stream.of(
                key(BlobKey::parseIds, "", "expected <shard_id>/<writer_key>/<part_id> or <shard_id>/<seqno>/<rollup_id>"),
                key(BlobKey::parseIds, s, "expected <shard_id>/"),
                key(BlobKey::parseIds, s + "/", "expected <shard_id>/"),
                key(BlobKey::parseIds, s + "/x0000100/" + p, "expected <shard_id>/"),
                key(BlobKey::parseIds, s + "/n0000100", "expected <shard_id>/"),
                key(BlobKey::parseIds, s + "/n0000100/" + p + "/extra", "expected <shard_id>/"),
                key(BlobKey::parseIds, s + "/n0000100/../" + p, "expected <shard_id>/"),
                key(BlobKey::parseIds, s + "/v12/" + p, "expected <shard_id>/"),
                key(BlobKey::parseIds, s + "/v-1/" + r, "expected <shard_id>/"),
                key(BlobKey::parseIds, "../" + s + "/n0000100/" + p, "expected <shard_id>/"),
                key(BlobKey::parseIds, "/" + s + "/n0000100/" + p, "expected <shard_id>/"),
                key(PartialBatchKey::parse, "n0000100", "expected <writerkey>/<partid>"),
                key(PartialBatchKey::parse, "n0000100/" + r, "expected <writerkey>/<partid>"),
                key(PartialBatchKey::parse, "n0000100//" + p, "expected <writerkey>/<partid>"),
                key(PartialRollupKey::parse, "v1", "expected v<seqno>/r<uuid>"),
                key(PartialRollupKey::parse, "v1/" + p, "expected v<seqno>/r<uuid>"),
                key(PartialRollupKey::parse, "1/" + r, "expected v<seqno>/r<uuid>"));
    }

    private static Arguments key(Function<String, ?> parser, String input, String expected) {
        return Arguments.of(parser, input, expected);
    }

    @ParameterizedTest
    @MethodSource("malformedKeys")
    void malformedKeysAreRejectedWithTheirShape(Function<String, ?> parser, String input, String expected) {
        assertThatThrownBy(() -> parser.apply(input))
                .isInstanceOf(MalformedIdException.class)
                .hasMessageContaining("\"" + input + "\"")
                .hasMessageContaining(expected);
    }
}
