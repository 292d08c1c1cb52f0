package io.flinkpersist.persist.consensus;

class MemConsensusTest extends ConsensusContractTest {
    @Override
    protected Consensus newConsensus() {
        return new MemConsensus();
    }
}
