package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up cache's training run goes through every verb without a failure (a failing one would make a cache of error paths). */
class ImgTrainingTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandOfTheTrainingRunSucceeds() throws Exception {
        assertNull(ImgTraining.train(dir));
    }
}
