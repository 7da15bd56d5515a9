package io.tessera.core.runtime.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.chardev.CharDeviceBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CharDeviceSpecsTest {

    @Test
    void qemusOldSocketSpellingBecomesSocketOptions() {
        CharDeviceSpecs.Spec spec = CharDeviceSpecs.parse("serial0", "tcp::4444,server,nowait");
        assertEquals("socket", spec.kind());
        assertEquals(Map.of("host", "", "port", "4444", "server", "on", "wait", "off"), spec.options());
    }

    @Test
    void theShortFormsOfSocketAreUnderstood() {
        assertEquals(Map.of("host", "127.0.0.1", "port", "5555", "server", "on", "wait", "off", "delay", "off"),
                CharDeviceSpecs.parse("c", "tcp:127.0.0.1:5555,server=on,wait=off,nodelay").options());
        assertEquals(new CharDeviceSpecs.Spec("socket", Map.of("path", "/tmp/s.sock", "server", "on")),
                CharDeviceSpecs.parse("c", "unix:/tmp/s.sock,server=on"));
        assertEquals("::1", CharDeviceSpecs.parse("c", "tcp:[::1]:7,server").options().get("host"));
        assertEquals(new CharDeviceSpecs.Spec("socket", Map.of("port", "7", "server", "on")),
                CharDeviceSpecs.parse("c", "socket,port=7,server=on"));
        assertEquals(new CharDeviceSpecs.Spec("file", Map.of("path", "/tmp/log", "append", "on")),
                CharDeviceSpecs.parse("c", "file:/tmp/log,append=on"));
    }

    @Test
    void malformedSpecsAndUnknownKindsAreRefusedWithWhatIsValid() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> CharDeviceSpecs.parse("c", "tcp:4444"));
        assertTrue(port.getMessage().contains("needs a port: tcp:HOST:PORT"), port.getMessage());
        IllegalArgumentException pair = assertThrows(IllegalArgumentException.class, () -> CharDeviceSpecs.parse("c", "file:/x,=on"));
        assertTrue(pair.getMessage().contains("'=on' in 'file:/x,=on' is not KEY=VALUE"), pair.getMessage());
        CharDeviceBackend nul = new io.tessera.core.runtime.chardev.NullCharDeviceBackend();
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> CharDeviceSpecs.open(List.of(nul), "c0", "pty"));
        assertEquals("character device 'c0': unknown kind 'pty'; installed: null (and tcp:HOST:PORT, unix:PATH for socket)",
                kind.getMessage());
    }
}
